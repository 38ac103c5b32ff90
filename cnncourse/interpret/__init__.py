"""Looking inside a trained CNN: feature maps, saliency, Grad-CAM, gradient norms, receptive fields.

Notebook 09 writes ``saliency`` and ``grad_cam`` cell by cell; these are the same functions. None
touches the model's ``.grad`` fields (they use ``torch.autograd.grad``), so they work mid-training.
"""

from cnncourse.interpret.activations import feature_maps, find_layer
from cnncourse.interpret.attribution import grad_cam, saliency
from cnncourse.interpret.gradients import gradient_norms
from cnncourse.interpret.receptive import RFStep, receptive_field

__all__ = ["RFStep", "feature_maps", "find_layer", "grad_cam", "gradient_norms",
           "receptive_field", "saliency"]
