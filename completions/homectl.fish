# fish completion for homectl. Generated from the CLI definition by `homectl completion fish`; do not edit.
# Install: copy it to ~/.config/fish/completions/homectl.fish.

# Subcommands at a command path ("" is the top level).
function __homectl_subcommands --argument-names path
    switch $path
        case ''
            printf '%s\n' serve check-ready metrics config cache watchdog completion version
        case 'config'
            printf '%s\n' validate show schema env
        case 'cache'
            printf '%s\n' warm
    end
end

# True when option $option at command path $path takes a value.
function __homectl_takes_value --argument-names path option
    switch "$path|$option"
        case '|--config' '|--log-level' 'serve|--config' 'serve|--log-level' 'check-ready|--config' 'check-ready|--log-level' 'check-ready|--url' 'check-ready|--token' 'check-ready|--timeout' 'metrics|--config' 'metrics|--log-level' 'metrics|--url' 'metrics|--token' 'metrics|--timeout' 'metrics|--format' 'config|--config' 'config|--log-level' 'config validate|--config' 'config validate|--log-level' 'config show|--config' 'config show|--log-level' 'config schema|--config' 'config schema|--log-level' 'config env|--config' 'config env|--log-level' 'cache|--config' 'cache|--log-level' 'cache warm|--config' 'cache warm|--log-level' 'cache warm|--url' 'cache warm|--token' 'cache warm|--concurrency' 'cache warm|--wait' 'cache warm|--timeout' 'cache warm|--max-wait' 'watchdog|--config' 'watchdog|--log-level' 'watchdog|--url' 'watchdog|--token' 'watchdog|--state-file' 'watchdog|--timeout' 'watchdog|--interval' 'completion|--config' 'completion|--log-level' 'version|--config' 'version|--log-level'
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

# The configured source names (asks homectl itself, bounded in time).
function __homectl_sources
    set -l config_args
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case '--config=*'
                set config_args $tokens[$i]
            case --config
                set -l next (math $i + 1)
                if test $next -le (count $tokens)
                    set config_args --config $tokens[$next]
                end
        end
    end
    if command -q timeout
        timeout 2 homectl $config_args --quiet docs sources 2>/dev/null
    else
        homectl $config_args --quiet docs sources 2>/dev/null
    end
end

complete -c homectl -f
complete -c homectl -n '__homectl_at \'\'' -a 'serve' -d 'Run the HTTP daemon'
complete -c homectl -n '__homectl_at \'\'' -a 'check-ready' -d 'One-shot readiness probe (Nagios exit codes)'
complete -c homectl -n '__homectl_at \'\'' -a 'metrics' -d 'Show the daemon\'s metrics as a table (--watch to follow)'
complete -c homectl -n '__homectl_at \'\'' -a 'config' -d 'Validate, show and document the configuration'
complete -c homectl -n '__homectl_at \'\'' -a 'cache' -d 'Work with the daemon\'s cache (warm)'
complete -c homectl -n '__homectl_at \'\'' -a 'watchdog' -d 'Check the daemon and notify on state changes'
complete -c homectl -n '__homectl_at \'\'' -a 'completion' -d 'Print a shell completion script (bash, zsh, fish)'
complete -c homectl -n '__homectl_at \'\'' -a 'version' -d 'Print version and build information'
complete -c homectl -n '__homectl_at \'\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'serve\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'serve\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'serve\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'serve\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'serve\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'check-ready\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'check-ready\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'check-ready\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'check-ready\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'check-ready\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'check-ready\'' -l url -x -d 'Daemon base URL (default: $HOMECTL_URL, else http:// + server.listen)'
complete -c homectl -n '__homectl_at \'check-ready\'' -l token -x -d 'API token sent as Bearer (default: $HOMECTL_TOKEN, else server.api_token)'
complete -c homectl -n '__homectl_at \'check-ready\'' -l timeout -x -d 'Connection and read timeout'
complete -c homectl -n '__homectl_at \'check-ready\'' -s v -l verbose -d 'Always print one Nagios line with perfdata (latency)'
complete -c homectl -n '__homectl_at \'check-ready\'' -l json -d 'Print the daemon\'s readiness report as JSON'
complete -c homectl -n '__homectl_at \'metrics\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'metrics\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'metrics\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'metrics\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'metrics\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'metrics\'' -l url -x -d 'Daemon base URL (default: $HOMECTL_URL, else http:// + server.listen)'
complete -c homectl -n '__homectl_at \'metrics\'' -l token -x -d 'API token sent as Bearer (default: $HOMECTL_TOKEN, else server.api_token)'
complete -c homectl -n '__homectl_at \'metrics\'' -l timeout -x -d 'Connection and read timeout'
complete -c homectl -n '__homectl_at \'metrics\'' -l format -x -a 'table prom json' -d 'Output format'
complete -c homectl -n '__homectl_at \'metrics\'' -l watch -d 'Redraw every PERIOD (default 2s) with rates from deltas, until Ctrl-C'
complete -c homectl -n '__homectl_at \'metrics\'' -l history -d 'Show the daemon\'s in-memory history over RANGE (default 24h): one sparkline per series with min, max and last'
complete -c homectl -n '__homectl_at \'config\'' -a 'validate' -d 'Check a configuration file and the environment; report every problem'
complete -c homectl -n '__homectl_at \'config\'' -a 'show' -d 'Print the effective configuration (secrets redacted)'
complete -c homectl -n '__homectl_at \'config\'' -a 'schema' -d 'Print the JSON Schema of the configuration file'
complete -c homectl -n '__homectl_at \'config\'' -a 'env' -d 'Print every environment variable with its default'
complete -c homectl -n '__homectl_at \'config\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'config\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'config validate\'' -F
complete -c homectl -n '__homectl_at \'config validate\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config validate\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'config validate\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config validate\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config validate\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'config validate\'' -l json -d 'Print the problems as a JSON array on stdout'
complete -c homectl -n '__homectl_at \'config validate\'' -l strict -d 'Fail on warnings too'
complete -c homectl -n '__homectl_at \'config show\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config show\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'config show\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config show\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config show\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'config show\'' -l origin -d 'Show where each value came from (default, file:line:col, env, flag)'
complete -c homectl -n '__homectl_at \'config schema\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config schema\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'config schema\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config schema\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config schema\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'config env\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'config env\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'config env\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'config env\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'config env\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'cache\'' -a 'warm' -d 'Refresh sources through the daemon, with progress'
complete -c homectl -n '__homectl_at \'cache\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'cache\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'cache\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'cache\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'cache\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'cache warm\'' -a '(__homectl_sources)' -d 'Sources to refresh (default: all)'
complete -c homectl -n '__homectl_at \'cache warm\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'cache warm\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'cache warm\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'cache warm\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'cache warm\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'cache warm\'' -l url -x -d 'Daemon base URL (default: $HOMECTL_URL, else http:// + server.listen)'
complete -c homectl -n '__homectl_at \'cache warm\'' -l token -x -d 'API token sent as Bearer (default: $HOMECTL_TOKEN, else server.api_token)'
complete -c homectl -n '__homectl_at \'cache warm\'' -l concurrency -x -d 'Refreshes in flight at once'
complete -c homectl -n '__homectl_at \'cache warm\'' -l wait -x -d 'How long the daemon waits for each refresh'
complete -c homectl -n '__homectl_at \'cache warm\'' -l timeout -x -d 'Connection timeout (reads allow --wait more)'
complete -c homectl -n '__homectl_at \'cache warm\'' -l max-wait -x -d 'Longest Retry-After waited out for one 429 answer'
complete -c homectl -n '__homectl_at \'watchdog\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'watchdog\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'watchdog\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'watchdog\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'watchdog\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'watchdog\'' -l url -x -d 'Daemon base URL (default: $HOMECTL_URL, else http:// + server.listen)'
complete -c homectl -n '__homectl_at \'watchdog\'' -l token -x -d 'API token sent as Bearer (default: $HOMECTL_TOKEN, else server.api_token)'
complete -c homectl -n '__homectl_at \'watchdog\'' -l once -d 'Check once, keep state in the state file and exit (cron, systemd timer)'
complete -c homectl -n '__homectl_at \'watchdog\'' -l test-notify -d 'Send a test message to every notifier and report each result'
complete -c homectl -n '__homectl_at \'watchdog\'' -l state-file -r -F -d 'State file (default: $RUNTIME_DIRECTORY/watchdog.json, else $XDG_RUNTIME_DIR/homectl/watchdog.json, else /run/homectl/watchdog.json)'
complete -c homectl -n '__homectl_at \'watchdog\'' -l timeout -x -d 'Timeout of each request to the daemon'
complete -c homectl -n '__homectl_at \'watchdog\'' -l interval -x -d 'Time between checks in the long-running mode (default: watchdog.interval)'
complete -c homectl -n '__homectl_at \'completion\'' -a 'bash zsh fish' -d 'Shell to generate the script for'
complete -c homectl -n '__homectl_at \'completion\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'completion\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'completion\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'completion\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'completion\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'version\'' -s h -l help -d 'Show help and exit'
complete -c homectl -n '__homectl_at \'version\'' -s V -l version -d 'Show the version and exit'
complete -c homectl -n '__homectl_at \'version\'' -l config -r -F -d 'Configuration file (JSON with comments)'
complete -c homectl -n '__homectl_at \'version\'' -l log-level -x -a 'trace debug info warn error off' -d 'Log level'
complete -c homectl -n '__homectl_at \'version\'' -s q -l quiet -d 'Print only errors'
complete -c homectl -n '__homectl_at \'version\'' -l json -d 'Print as JSON'
