"""Single-notebook recipes: speedrun (10), transfer and pretrained (11), capstone (12)."""
