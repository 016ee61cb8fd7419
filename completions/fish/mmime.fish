# fish completion for mmime(1): the options that "mmime -h" prints.

complete -c mmime -s h -l help -d 'Print the usage and exit'
complete -c mmime -l json -d 'Write the result as JSON'
complete -c mmime -l timeout -x -d 'Give up after this many seconds (1-86400)'
complete -c mmime -l trace -d 'Accepted, as by the other mkit tools'
complete -c mmime -l version -d 'Print the version and exit'
