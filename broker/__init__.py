"""Cross-border e-evidence request broker (Regulation (EU) 2023/1543, CETS 224)."""
