"""An example of a callback written by a user: it prints the learning rate as training goes
and adds it to the logged values.

A config names it (the path is relative to the config's folder):

    callbacks:
      - {path: print_lr.py, class: PrintLR, params: {every: 10}}

Any of the hooks may be left out; ``runner`` is the training loop (``runner.model``,
``runner.optimizer``, ``runner.stage``, ``runner.global_step``, ``runner.log_dir``; set
``runner.stop_training = True`` to end the current stage).
"""


class PrintLR:
    def __init__(self, every: int = 50) -> None:
        self.every = every
        self.batches = 0

    def on_start(self, runner) -> None:
        print(f"PrintLR: every {self.every} batches", flush=True)

    def on_stage_start(self, runner, stage) -> None:
        print(f"PrintLR: stage {stage.name} starts at lr {self._lr(runner):.3g}", flush=True)

    def on_batch_end(self, runner, batch: int, loss: float) -> None:
        self.batches += 1
        if self.batches % self.every == 0:
            print(f"PrintLR: step {runner.global_step} lr {self._lr(runner):.3g}", flush=True)

    def on_epoch_end(self, runner, epoch: int, values: dict) -> None:
        values["lr/last_batch"] = self._lr(runner)  # logged with the epoch's other values

    def on_end(self, runner) -> None:
        print(f"PrintLR: {self.batches} batches in all", flush=True)

    @staticmethod
    def _lr(runner) -> float:
        return runner.optimizer.param_groups[0]["lr"]
