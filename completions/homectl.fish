# fish completion for homectl. Generated from the CLI definition by `homectl completion fish`; do not edit.
# Install: copy it to ~/.config/fish/completions/homectl.fish.

# Subcommands at a command path ("" is the top level).
function __homectl_subcommands --argument-names path
    switch $path
        case ''
            printf '%s\n' config completion version
        case 'config'
            printf '%s\n' validate show schema env
    end
end

# True when option $option at command path $path takes a value.
function __homectl_takes_value --argument-names path option
    switch "$path|$option"
        case '|--config' '|--log-level' 'config|--config' 'config|--log-level' 'config validate|--config' 'config validate|--log-level' 'config show|--config' 'config show|--log-level' 'config schema|--config' 'config schema|--log-level' 'config env|--config' 'config env|--log-level' 'completion|--config' 'completion|--log-level' 'version|--config' 'version|--log-level'
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
complete -c homectl -n '__homectl_at \'\'' -a 'config' -d 'Validate, show and document the configuration'
complete -c homectl -n '__homectl_at \'\'' -a 'completion' -d 'Print a shell completion script (bash, zsh, fish)'
complete -c homectl -n '__homectl_at \'\'' -a 'version' -d 'Print version and build information'
complete -c homectl -n '__homectl_at \'\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'config\'' -a 'validate' -d 'Check a configuration file and the environment; report every problem'
complete -c homectl -n '__homectl_at \'config\'' -a 'show' -d 'Print the effective configuration (secrets redacted)'
complete -c homectl -n '__homectl_at \'config\'' -a 'schema' -d 'Print the JSON Schema of the configuration file'
complete -c homectl -n '__homectl_at \'config\'' -a 'env' -d 'Print every environment variable with its default'
complete -c homectl -n '__homectl_at \'config\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'config validate\'' -F
complete -c homectl -n '__homectl_at \'config validate\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config validate\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config validate\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config validate\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'config validate\'' -l json -d 'Print the problems as a JSON array on stdout'
complete -c homectl -n '__homectl_at \'config validate\'' -l strict -d 'Fail on warnings too'
complete -c homectl -n '__homectl_at \'config show\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config show\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config show\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config show\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'config show\'' -l origin -d 'Show where each value came from (default, file:line:col, env, flag)'
complete -c homectl -n '__homectl_at \'config schema\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config schema\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config schema\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config schema\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'config env\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config env\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config env\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config env\'' -s q -l quiet -d 'Print only errors'
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
