package io.hybridgrid.coord.dispatch;

/**
 * A snapshot of the dispatcher's counters.
 *
 * @param workers connected workers
 * @param tasksCompleted tasks that returned a compiler result (any exit code)
 * @param tasksFailed tasks that ended without a result
 * @param compileErrors completed tasks whose compiler exit code was not 0
 * @param tasksRetried re-dispatches after a worker failed
 * @param queued tasks waiting now
 * @param active tasks running on workers now
 * @param tasksHedged duplicates sent because a running task passed its progress deadline
 * @param hedgesWon of those, how many answered before the original
 * @param tasksCancelled running tasks withdrawn because their client went away
 */
public record DispatchStats(
    int workers,
    long tasksCompleted,
    long tasksFailed,
    long compileErrors,
    long tasksRetried,
    int queued,
    int active,
    long tasksHedged,
    long hedgesWon,
    long tasksCancelled) {}
