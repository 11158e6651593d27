# Drives a real interactive zsh through a pseudo-terminal (zsh/zpty): loads
# compinit with the completion directory $1 first on $fpath, types the line
# $2 followed by TAB, and prints what the terminal showed (the listing) and
# the resulting buffer as "<<BUFFER:...>>".
zmodload zsh/zpty || exit 77
dir=$1 line=$2 dump=$3
zpty z zsh -f -i
zpty -w z "PS1='' PROMPT='' RPROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -d ${(q)dump}"
zpty -w z "zstyle ':completion:*' menu no; LISTMAX=10000"
zpty -w z "__show() { zle -I; print -r -- \"<<BUFFER:\$BUFFER>>\" }; zle -N __show; bindkey '^X' __show"
zpty -w z "print '<<READY''>>'"
zpty -r -m z out '*<<READY>>*' || exit 2
# ZLE reads its input in order: TAB completes before ^X prints the buffer.
zpty -n -w z "$line"$'\t'$'\C-x'
zpty -r -m z out '*<<BUFFER:*>>*' || exit 3
print -r -- "$out"
zpty -d z
