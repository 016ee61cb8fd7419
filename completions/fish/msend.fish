# fish completion for msend(1): the options that "msend -h" prints.

complete -c msend -f
complete -c msend -s h -l help -d 'Print the usage and exit'
complete -c msend -l json -d 'Write the outcome as JSON'
complete -c msend -l timeout -x -d 'Give up after this many seconds (1-86400)'
complete -c msend -l trace -d 'Write the SMTP transcript to standard error'
complete -c msend -l version -d 'Print the version and exit'
