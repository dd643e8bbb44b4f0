"""Checkpointing a training loop, crashing halfway, resuming: the same final loss.

Fits a line with momentum SGD. The uninterrupted run trains for all steps. The interrupted
run starts a worker process that saves a checkpoint (variables, step counter and the
optimizer's momentum slots) every few steps with tf.train.CheckpointManager and is killed
halfway through; a second worker restores the latest checkpoint and finishes. Both end with
the same loss, to the last digit.

    python -m tftape examples/checkpoint_resume.py

Set TFTAPE_EXAMPLES_FAST=1 for a short run (fewer steps).
"""
import os
import signal
import subprocess
import sys
import tempfile

import numpy as np
import tensorflow as tf

FAST = os.environ.get("TFTAPE_EXAMPLES_FAST") == "1"
STEPS = 12 if FAST else 40
SAVE_EVERY = 3

rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, size=(64, 3)).astype("float32")
Y = (X @ np.array([[2.0], [-3.0], [0.5]], dtype="float32") + 1.0).astype("float32")


class Linear(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.zeros((3, 1)), name="w")
        self.b = tf.Variable(0.0, name="b")

    def __call__(self, x):
        return x @ self.w + self.b


def make_state():
    model = Linear()
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.2, momentum=0.5)
    step = tf.Variable(0, dtype=tf.int64)
    ckpt = tf.train.Checkpoint(step=step, model=model, optimizer=optimizer)
    return model, optimizer, step, ckpt


def train_step(model, optimizer):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(X) - Y))
    grads = tape.gradient(loss, [model.w, model.b])
    optimizer.apply_gradients(zip(grads, [model.w, model.b]))
    return float(loss)


def worker(directory, crash_at):
    """Trains from the latest checkpoint in `directory`; dies abruptly at step `crash_at`."""
    model, optimizer, step, ckpt = make_state()
    manager = tf.train.CheckpointManager(ckpt, directory, max_to_keep=2)
    if manager.latest_checkpoint:
        ckpt.restore(manager.latest_checkpoint)
        print(f"  restored {os.path.basename(manager.latest_checkpoint)} at step "
              f"{int(step.numpy())}")
    while int(step.numpy()) < STEPS:
        loss = train_step(model, optimizer)
        step.assign_add(1)
        print(f"  step {int(step.numpy()):2d}  loss {loss:.6f}")
        if int(step.numpy()) % SAVE_EVERY == 0:
            path = manager.save()
            print(f"  saved {os.path.basename(path)}; kept "
                  f"{[os.path.basename(p) for p in manager.checkpoints]}")
        sys.stdout.flush()
        if int(step.numpy()) == crash_at:
            print("  -- killed --", flush=True)
            if hasattr(signal, "SIGKILL"):
                os.kill(os.getpid(), signal.SIGKILL)     # no cleanup, like a real crash
            os._exit(1)
    print(f"  final loss {train_loss(model):.6f}")


def train_loss(model):
    return float(tf.reduce_mean(tf.square(model(X) - Y)))


def run_worker(directory, crash_at):
    # Start this same script (under the same runner: python or python -m ...) as a worker.
    argv = list(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))
    script = sys.argv[0]
    cmd = argv[:argv.index(script) + 1] if script in argv else [sys.executable, script]
    cmd += ["--worker", directory, str(crash_at)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    print(r.stdout, end="")
    return r.returncode


if len(sys.argv) > 1 and sys.argv[1] == "--worker":
    worker(sys.argv[2], int(sys.argv[3]))
    sys.exit(0)

print(f"Uninterrupted: {STEPS} steps")
model, optimizer, step, _ = make_state()
for _ in range(STEPS):
    train_step(model, optimizer)
reference = train_loss(model)
print(f"  final loss {reference:.6f}")

with tempfile.TemporaryDirectory() as d:
    print("Interrupted run, first worker:")
    code = run_worker(d, crash_at=STEPS // 2 + 1)
    print(f"  worker exit code is nonzero: {code != 0}")
    print("checkpoint files:", sorted(f for f in os.listdir(d) if f != "checkpoint"))
    print("latest:", os.path.basename(tf.train.latest_checkpoint(d)))
    print("Second worker resumes:")
    run_worker(d, crash_at=-1)
    # Load the last checkpoint into a fresh model (the optimizer is left out: expect_partial).
    fresh = Linear()
    tf.train.Checkpoint(model=fresh).read(tf.train.latest_checkpoint(d)).expect_partial()
resumed = train_loss(fresh)
print("resumed weights:", np.round(fresh.w.numpy().ravel(), 4), round(float(fresh.b), 4))
print(f"resumed final loss {resumed:.6f}, uninterrupted {reference:.6f}")
assert np.isclose(resumed, reference, rtol=1e-6, atol=1e-7), (resumed, reference)
print("same final loss as the uninterrupted run")
