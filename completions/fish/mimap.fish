# fish completion for mimap(1): the options that "mimap -h" prints.

complete -c mimap -f
complete -c mimap -s h -l help -d 'Print the usage and exit'
complete -c mimap -l json -d 'Write the result as JSON'
complete -c mimap -l timeout -x -d 'Give up after this many seconds (1-86400)'
complete -c mimap -l trace -d 'Write the IMAP transcript to standard error'
complete -c mimap -l version -d 'Print the version and exit'
