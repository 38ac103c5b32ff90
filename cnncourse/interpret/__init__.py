"""Looking inside a trained CNN: feature maps, saliency, Grad-CAM, gradient norms, receptive fields.

One module per idea, all importable from here (``from cnncourse.interpret import grad_cam``):

- ``activations``: :func:`find_layer` and :func:`feature_maps` (what each layer outputs);
- ``attribution``: :func:`saliency` and :func:`grad_cam` (which pixels and regions matter);
- ``gradients``: :func:`gradient_norms` (vanishing gradients, notebook 10);
- ``receptive``: :func:`receptive_field` and :class:`RFStep`.

Notebook 09 writes ``saliency`` and ``grad_cam`` cell by cell; these are the same functions
under the same names. Every function leaves the model's ``.grad`` fields alone (it uses
``torch.autograd.grad``), so you can call it in the middle of training.
"""

from cnncourse.interpret.activations import feature_maps, find_layer
from cnncourse.interpret.attribution import grad_cam, saliency
from cnncourse.interpret.gradients import gradient_norms
from cnncourse.interpret.receptive import RFStep, receptive_field

__all__ = ["RFStep", "feature_maps", "find_layer", "grad_cam", "gradient_norms",
           "receptive_field", "saliency"]
