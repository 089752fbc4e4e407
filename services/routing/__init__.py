"""routing: the sorting station; decides every destination of a validated invoice and delivers to each once."""
