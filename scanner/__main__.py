"""Allow ``python -m scanner``."""

from .cli import main

main()
