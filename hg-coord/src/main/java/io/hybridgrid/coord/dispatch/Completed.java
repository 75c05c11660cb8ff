package io.hybridgrid.coord.dispatch;

/**
 * A task's result as the dispatcher hands it back.
 *
 * @param result the worker's result
 * @param workerId the worker that produced it
 * @param queueMicros time spent waiting for a worker
 * @param attempts workers tried, including the one that answered
 */
public record Completed<R>(R result, String workerId, long queueMicros, int attempts) {}
