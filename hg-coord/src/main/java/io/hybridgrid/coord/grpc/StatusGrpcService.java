package io.hybridgrid.coord.grpc;

import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.coord.action.ActionCache;
import io.hybridgrid.coord.cache.CacheStats;
import io.hybridgrid.coord.cas.CasStats;
import io.hybridgrid.coord.dispatch.DispatchStats;
import io.hybridgrid.coord.events.ConnectivityEvent;
import io.hybridgrid.coord.status.CoordinatorStatus;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.GetStatsRequest;
import io.hybridgrid.proto.v1.ListEventsRequest;
import io.hybridgrid.proto.v1.ListEventsResponse;
import io.hybridgrid.proto.v1.ListWorkersRequest;
import io.hybridgrid.proto.v1.ListWorkersResponse;
import io.hybridgrid.proto.v1.Stats;
import io.hybridgrid.proto.v1.StatusServiceGrpc;
import io.hybridgrid.proto.v1.WorkerInfo;

/** Status RPCs over {@link CoordinatorStatus}. */
public final class StatusGrpcService extends StatusServiceGrpc.StatusServiceImplBase {
  private final CoordinatorStatus status;

  public StatusGrpcService(CoordinatorStatus status) {
    this.status = status;
  }

  @Override
  public void getStats(GetStatsRequest request, StreamObserver<Stats> out) {
    DispatchStats s = status.stats();
    CacheStats c = status.cacheStats();
    CasStats cas = status.casStats();
    ActionCache.Stats ac = status.actionCacheStats();
    out.onNext(
        Stats.newBuilder()
            .setWorkers(s.workers())
            .setTasksCompleted(s.tasksCompleted())
            .setTasksFailed(s.tasksFailed())
            .setTasksQueued(s.queued())
            .setActiveTasks(s.active())
            .setCompileErrors(s.compileErrors())
            .setTasksRetried(s.tasksRetried())
            .setUptimeSeconds(status.uptime().toSeconds())
            .setCacheHits(c.hits())
            .setCacheMisses(c.misses())
            .setCacheMemoryEntries(c.memoryEntries())
            .setCacheMemoryBytes(c.memoryBytes())
            .setCacheDiskEntries(c.diskEntries())
            .setCacheDiskBytes(c.diskBytes())
            .setCacheCorrupt(c.corrupt())
            .setCasUploadedBlobs(cas.uploadedBlobs())
            .setCasUploadedBytes(cas.uploadedBytes())
            .setCasStoredBlobs(cas.storedBlobs())
            .setCasStoredBytes(cas.storedBytes())
            .setCasRefusedUploads(cas.refusedUploads())
            .setCasReadBlobs(cas.readBlobs())
            .setCasReadBytes(cas.readBytes())
            .setCasFindMissingHits(cas.findMissingHits())
            .setCasFindMissingMisses(cas.findMissingMisses())
            .setCasHeldBlobs(cas.heldBlobs())
            .setCasHeldBytes(cas.heldBytes())
            .setCasMemoryBytes(cas.memoryBytes())
            .setCasEvictedBlobs(cas.evictedBlobs())
            .setActionCacheHits(ac.hits())
            .setActionCacheMisses(ac.misses())
            .setActionCacheStale(ac.stale())
            .setActionCacheStores(ac.stores())
            .setToolchainsSeen(status.toolchainsSeen())
            .setToolchainBytesUploaded(status.toolchainBytesUploaded())
            .build());
    out.onCompleted();
  }

  @Override
  public void listWorkers(ListWorkersRequest request, StreamObserver<ListWorkersResponse> out) {
    ListWorkersResponse.Builder b = ListWorkersResponse.newBuilder();
    for (CoordinatorStatus.WorkerView w : status.workers()) {
      Capabilities.Builder caps =
          Capabilities.newBuilder()
              .setCores(w.cores())
              .setMemoryBytes(w.memoryBytes())
              .setArch(w.arch())
              .setOs(w.os())
              .setMaxParallel(w.maxParallel())
              .setRunsOwnCompilers(w.runsOwnCompilers())
              .setAcceptsShippedToolchains(w.acceptsShippedToolchains());
      w.compilers().forEach(c -> caps.addCompilers(WireTypes.toWire(c)));
      b.addWorkers(
          WorkerInfo.newBuilder()
              .setWorkerId(w.id())
              .setHostname(w.hostname())
              .setCapabilities(caps)
              .setActiveTasks(w.active())
              .setTasksCompleted(w.completed())
              .setTasksFailed(w.failed())
              .setState(w.state())
              .setConnectedAtUnixMillis(w.connectedAt().toEpochMilli())
              .setLastHeartbeatUnixMillis(w.lastHeartbeat().toEpochMilli())
              .setReportedActiveTasks(w.reportedActive())
              .setFreeMemoryBytes(w.freeMemoryBytes())
              .setLoadAverage(w.loadAverage())
              .setRttMillis(w.rttMillis())
              .setTaskMillis(w.taskMillis())
              .setCircuitState(w.circuitState())
              .setToolchainsHeld(w.toolchainsHeld())
              .addAllToolchainDigests(w.toolchainDigests()));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void listEvents(ListEventsRequest request, StreamObserver<ListEventsResponse> out) {
    int limit =
        request.getLimit() == 0 ? CoordinatorStatus.DEFAULT_EVENT_LIMIT : request.getLimit();
    ListEventsResponse.Builder b = ListEventsResponse.newBuilder();
    try {
      for (ConnectivityEvent e : status.events(limit)) {
        b.addEvents(
            io.hybridgrid.proto.v1.ConnectivityEvent.newBuilder()
                .setUnixMillis(e.time().toEpochMilli())
                .setType(e.type().wireName())
                .setWorkerId(e.workerId())
                .setHostname(e.hostname())
                .setReason(e.reason()));
      }
    } catch (IllegalArgumentException e) {
      out.onError(ErrorMapper.toStatus(e));
      return;
    }
    out.onNext(b.build());
    out.onCompleted();
  }
}
