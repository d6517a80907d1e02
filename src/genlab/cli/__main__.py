"""``python -m genlab.cli``: the ``genlab`` command."""

from genlab.cli import main

if __name__ == "__main__":
    main()
