"""Exercise checks, one module per notebook: ``from cnncourse.checks import nb03 as check``."""
