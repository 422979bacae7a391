"""``python -m shaderviz.depth.scenes OUT_DIR --count N``: see ``shaderviz.depth.scenes.cli``."""

from shaderviz.depth.scenes.cli import main

if __name__ == "__main__":
    main()
