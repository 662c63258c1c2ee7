"""Stage 3, printing: the printed boards (公示榜, 创建牌, cards) as data derived from the model."""
