package io.hybridgrid.common.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.regex.Pattern;

/**
 * The build a compile belongs to ({@code hgbuild make} and {@code ninja} set {@code HG_BUILD_ID}
 * for their compiles), carried as the {@code hg-build-id} request header so that the coordinator's
 * task log and dashboard can group one build's compiles without a change to the compile messages.
 * Ids are 1 to 64 characters of {@code [A-Za-z0-9._-]}; anything else is dropped.
 */
public final class BuildIds {
  private BuildIds() {}

  /** The environment variable the wrappers set. */
  public static final String ENV = "HG_BUILD_ID";

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Metadata.Key<String> HEADER =
      Metadata.Key.of("hg-build-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> CURRENT = Context.key("hg-build-id");

  /** {@code id} when it is a valid build id, else "". */
  public static String sanitize(String id) {
    return id != null && VALID.matcher(id).matches() ? id : "";
  }

  /** Sends {@code buildId} (if valid) with every call on {@code channel}. */
  public static Channel attach(Channel channel, String buildId) {
    String id = sanitize(buildId);
    if (id.isEmpty()) {
      return channel;
    }
    return io.grpc.ClientInterceptors.intercept(
        channel,
        new ClientInterceptor() {
          @Override
          public <Q, S> ClientCall<Q, S> interceptCall(
              MethodDescriptor<Q, S> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(
                next.newCall(method, options)) {
              @Override
              public void start(Listener<S> listener, Metadata headers) {
                headers.put(HEADER, id);
                super.start(listener, headers);
              }
            };
          }
        });
  }

  /** Makes the header readable through {@link #current()} in a service. */
  public static ServerInterceptor serverInterceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, S> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, S> call, Metadata headers, ServerCallHandler<Q, S> next) {
        String id = sanitize(headers.get(HEADER));
        return Contexts.interceptCall(
            Context.current().withValue(CURRENT, id), call, headers, next);
      }
    };
  }

  /** The current call's build id, or "". */
  public static String current() {
    String id = CURRENT.get();
    return id == null ? "" : id;
  }
}
