"""Allow `python -m reqforge`."""

from reqforge.cli.main import main

main()
