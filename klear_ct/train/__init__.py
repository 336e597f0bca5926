"""`klearct train`: GRPO on a klearct export with klearct's reward, on TRL's GRPOTrainer (the
optional `[train]` extra), a verl recipe, and `--check-data`, which scores every gold and known
incorrect solution of the run through the same reward before any GPU hour is spent.

Nothing here imports torch, transformers or trl at import time: `grpo` and `tiny` do, and
are imported only after `extra.require` found them. The pipeline never imports this package."""
