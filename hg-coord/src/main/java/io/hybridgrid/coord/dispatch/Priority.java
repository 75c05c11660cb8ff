package io.hybridgrid.coord.dispatch;

/** Queue classes: interactive tasks are always placed before batch tasks. */
public enum Priority {
  INTERACTIVE,
  BATCH
}
