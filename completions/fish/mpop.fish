# fish completion for mpop(1): the options that "mpop -h" prints.

complete -c mpop -f
complete -c mpop -s h -l help -d 'Print the usage and exit'
complete -c mpop -l json -d 'Write the outcome as JSON'
complete -c mpop -l timeout -x -d 'Give up after this many seconds (1-86400)'
complete -c mpop -l trace -d 'Write the POP3 transcript to standard error'
complete -c mpop -l version -d 'Print the version and exit'
