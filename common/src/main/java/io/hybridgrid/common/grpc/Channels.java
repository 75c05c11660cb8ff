package io.hybridgrid.common.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.hybridgrid.common.auth.BearerToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Builds the one kind of channel every Hybrid-Grid process uses to reach hg-coord. */
public final class Channels {

  private Channels() {}

  /** A plaintext channel without a token (a coordinator on loopback without tokens). */
  public static ManagedChannel forAddress(HostPort address) {
    return forAddress(address, ClientSecurity.NONE);
  }

  /**
   * A channel to {@code address} with the project's message limits and keepalive, speaking TLS when
   * {@code security} has TLS settings and sending its token on every call.
   */
  public static ManagedChannel forAddress(HostPort address, ClientSecurity security) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(address.host(), address.port())
            .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS);
    if (security.tls() != null) {
      try {
        b.sslContext(security.tls().clientContext()).useTransportSecurity();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot set up TLS: " + e.getMessage(), e);
      }
    } else {
      b.usePlaintext();
    }
    if (security.token() != null) {
      b.intercept(new BearerToken(security.token()));
    }
    return b.build();
  }

  /**
   * A failed call's cause in words a user can act on: a plain-text client talking to a TLS
   * coordinator, a TLS client talking to a plain-text one, an untrusted certificate, a missing
   * client certificate, or a token problem; otherwise gRPC's own description.
   *
   * @param tlsConfigured whether this client speaks TLS
   */
  public static String explain(Throwable t, boolean tlsConfigured) {
    Status s = Status.fromThrowable(t);
    String all = describeChain(t).toLowerCase(Locale.ROOT);
    if (s.getCode() == Status.Code.UNAUTHENTICATED
        || s.getCode() == Status.Code.PERMISSION_DENIED) {
      return s.getCode() + ": " + s.getDescription();
    }
    if (s.getCode() == Status.Code.UNAVAILABLE) {
      if (!tlsConfigured
          && (all.contains("first received frame was not settings")
              || all.contains("http/2 client preface")
              || all.contains("network closed for unknown reason")
              || all.contains("connection reset"))) {
        return "the coordinator speaks TLS (or is not a gRPC server): pass --tls-ca CA.pem (or set"
            + " HG_TLS_CA) to talk to it over TLS ["
            + s.getDescription()
            + "]";
      }
      if (tlsConfigured
          && (all.contains("not an ssl/tls record") || all.contains("sslhandshake"))
          && all.contains("not an ssl")) {
        return "the coordinator speaks plain text, not TLS: drop --tls-ca/HG_TLS_CA or start"
            + " hg-coord with --tls-cert and --tls-key";
      }
      if (tlsConfigured
          && (all.contains("pkix")
              || all.contains("certificate_unknown")
              || all.contains("unable to find valid certification path"))) {
        return "the coordinator's certificate is not signed by the CA in --tls-ca/HG_TLS_CA ["
            + s.getDescription()
            + "]";
      }
      if (tlsConfigured
          && (all.contains("certificate_required") || all.contains("bad_certificate"))) {
        return "the coordinator requires a client certificate signed by its CA: pass --tls-cert and"
            + " --tls-key";
      }
      if (tlsConfigured && all.contains("no subject alternative")) {
        return "the coordinator's certificate does not name the address used to reach it: make the"
            + " certificate with --host/--ip for that name ["
            + s.getDescription()
            + "]";
      }
    }
    return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
  }

  private static String describeChain(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null && b.length() < 8192; c = c.getCause()) {
      b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
      if (c instanceof StatusRuntimeException sre && sre.getStatus().getDescription() != null) {
        b.append(sre.getStatus().getDescription()).append('\n');
      }
    }
    return b.toString();
  }
}
