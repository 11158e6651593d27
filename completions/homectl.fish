# fish completion for homectl. Generated from the CLI definition by `homectl completion fish`; do not edit.
# Install: copy it to ~/.config/fish/completions/homectl.fish.

# Subcommands at a command path ("" is the top level).
function __homectl_subcommands --argument-names path
    switch $path
        case ''
            printf '%s\n' completion version
    end
end

# True when option $option at command path $path takes a value.
function __homectl_takes_value --argument-names path option
    switch "$path|$option"
        case '|--config' '|--log-level' 'completion|--config' 'completion|--log-level' 'version|--config' 'version|--log-level'
            return 0
    end
    return 1
end

# The command path of the command line before the cursor, e.g. "config show".
function __homectl_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ''
    set -l skip 0
    set -l positionals 0
    for token in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $token
            case '--*=*'
                continue
            case '-*'
                if __homectl_takes_value "$path" $token
                    set skip 1
                end
                continue
        end
        if test $positionals -eq 0; and contains -- $token (__homectl_subcommands "$path")
            if test -z "$path"
                set path $token
            else
                set path "$path $token"
            end
        else
            set positionals (math $positionals + 1)
        end
    end
    echo $path
end

# True when the cursor is at command path $argv[1].
function __homectl_at --argument-names want
    set -l path (__homectl_path)
    test "$path" = "$want"
end

complete -c homectl -f
complete -c homectl -n '__homectl_at \'\'' -a 'completion' -d 'Print a shell completion script (bash, zsh, fish)'
complete -c homectl -n '__homectl_at \'\'' -a 'version' -d 'Print version and build information'
complete -c homectl -n '__homectl_at \'\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'completion\'' -a 'bash zsh fish' -d 'Shell to generate the script for'
complete -c homectl -n '__homectl_at \'completion\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'completion\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'completion\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'completion\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'version\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'version\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'version\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'version\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'version\'' -l json -d 'Print as JSON'
