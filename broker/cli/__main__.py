"""`python -m broker.cli` is the `broker` command."""

from broker.cli import main

main()
