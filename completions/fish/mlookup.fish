# fish completion for mlookup(1): the options that "mlookup -h" prints.

complete -c mlookup -f
complete -c mlookup -s h -l help -d 'Print the usage and exit'
complete -c mlookup -l json -d 'Write the answers as JSON'
complete -c mlookup -l timeout -x -d 'Give up after this many seconds (1-86400)'
complete -c mlookup -l trace -d 'Resolve iteratively from the root, like dig +trace'
complete -c mlookup -l version -d 'Print the version and exit'
