"""Single-notebook recipes built on the toolkit, the data and viz (also ``cc.NAME``):

  speedrun    notebook 10's fast CIFAR-10 training (augmentation, one-cycle, mixed precision)
  transfer    notebook 11's transfer learning on cached pretrained features
  pretrained  torchvision's ImageNet models, weights from the data folder or the hub
  capstone    notebook 12's brief, run records and leaderboard
"""
