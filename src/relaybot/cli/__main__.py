"""`python -m relaybot.cli ...`, the same as `relaybot ...`."""

from relaybot.cli.root import main

main(prog_name="relaybot")
