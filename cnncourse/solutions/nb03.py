"""Reference solutions for notebook 03 · Convolution.

They are the package's own functions from ``cnncourse.conv``: the notebook writes them by
hand, and later notebooks import the package copies under the same names.
"""

from cnncourse.conv import conv2d_multi, conv2d_single, conv_output_size, conv_param_count

__all__ = ["conv2d_single", "conv_output_size", "conv2d_multi", "conv_param_count"]
