"""Real architectures for tests, benchmarks and notebooks, built with torch.nn alone:
`torchvision_resnet.resnet18()` / `resnet50()` carry torchvision's module and parameter names
(torchvision does not install beside every torch build)."""
