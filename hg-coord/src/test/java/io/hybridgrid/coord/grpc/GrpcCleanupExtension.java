package io.hybridgrid.coord.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shuts down the channels, servers and other resources a test registered, last registered first (so
 * channels registered after their server close before it), each with a bounded wait. A resource
 * that does not terminate in time fails the test.
 *
 * <p>Use as an instance field with {@code @RegisterExtension}.
 */
public final class GrpcCleanupExtension implements AfterEachCallback {
  private static final long TIMEOUT_SECONDS = 5;

  private final Deque<Resource> resources = new ArrayDeque<>();

  private interface Resource {
    /** Releases the resource; returns false when it did not terminate in time. */
    boolean release() throws Exception;

    String name();
  }

  public <T extends ManagedChannel> T register(T channel) {
    push(
        new Resource() {
          @Override
          public boolean release() throws InterruptedException {
            channel.shutdownNow();
            return channel.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          }

          @Override
          public String name() {
            return "channel " + channel;
          }
        });
    return channel;
  }

  public <T extends Server> T register(T server) {
    push(
        new Resource() {
          @Override
          public boolean release() throws InterruptedException {
            server.shutdownNow();
            return server.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          }

          @Override
          public String name() {
            return "server " + server;
          }
        });
    return server;
  }

  /** Anything else that owns gRPC resources, e.g. a whole coordinator. */
  public <T extends AutoCloseable> T register(T closeable) {
    push(
        new Resource() {
          @Override
          public boolean release() throws Exception {
            closeable.close();
            return true;
          }

          @Override
          public String name() {
            return String.valueOf(closeable);
          }
        });
    return closeable;
  }

  private synchronized void push(Resource r) {
    resources.push(r);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    AssertionError failure = null;
    while (true) {
      Resource r;
      synchronized (this) {
        r = resources.poll();
      }
      if (r == null) {
        break;
      }
      try {
        if (!r.release()) {
          failure = add(failure, new AssertionError(r.name() + " did not terminate in time"));
        }
      } catch (Exception | AssertionError e) {
        failure = add(failure, new AssertionError("closing " + r.name() + " failed", e));
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static AssertionError add(AssertionError first, AssertionError next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
