"""Visualizers: plain matplotlib functions, plus widgets that wrap them.

Every widget calls a plain plotting function that also works on its own, so each visual
works without a widget front end. Images use ``gray``; everything else ``viridis``/``cividis``.
"""
