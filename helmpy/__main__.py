"""`python -m helmpy`."""

from helmpy.cli.main import main

main()
