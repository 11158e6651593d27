# Completion cases shared by the bash, zsh and fish tests, one per line:
#   <command line typed before TAB>|<words that must be offered, space separated>
# A line that ends in a space completes a new word; otherwise the last word.
completion_cases() {
  cat <<'CASES'
homectl con|config
homectl config |validate show schema env
homectl --quiet config sh|show
homectl config validate --|--json --strict --config --log-level --quiet
homectl comp|completion
homectl completion |bash zsh fish
homectl --log-level |trace debug info warn error off
homectl --log-level warn config v|validate
homectl --quiet completion b|bash
homectl version --|--json --config --log-level --quiet
CASES
}
