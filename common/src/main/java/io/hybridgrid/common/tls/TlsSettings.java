package io.hybridgrid.common.tls;

import io.grpc.netty.GrpcSslContexts;
import io.hybridgrid.common.auth.TokenStore;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * TLS for one program: its certificate and key (PEM), the CA that signs its peers, and whether a
 * server insists on client certificates (mTLS). Built into Netty {@link SslContext}s by
 * grpc-netty's {@link GrpcSslContexts}; no cryptography of our own.
 *
 * @param cert this program's certificate chain (PEM), or null (a client without mTLS)
 * @param key its private key (PEM, PKCS#8), or null; must not be readable by others
 * @param ca the CA certificates peers are checked against (PEM); null trusts the JVM's defaults
 * @param requireClientCert a server refuses clients without a certificate signed by {@code ca}
 */
public record TlsSettings(Path cert, Path key, Path ca, boolean requireClientCert) {
  public TlsSettings {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both");
    }
    if (requireClientCert && ca == null) {
      throw new IllegalArgumentException(
          "--tls-require-client-cert needs --tls-ca, the CA that signs client certificates");
    }
    for (Path p : new Path[] {cert, key, ca}) {
      if (p != null && !Files.isReadable(p)) {
        throw new IllegalArgumentException("TLS file " + p + " does not exist or is unreadable");
      }
    }
  }

  /**
   * The settings from flags, each falling back to its variable ({@code HG_TLS_CERT}, {@code
   * HG_TLS_KEY}, {@code HG_TLS_CA}, {@code HG_TLS_REQUIRE_CLIENT_CERT}); null when none is set.
   */
  public static TlsSettings from(
      Path cert, Path key, Path ca, boolean requireClientCert, Map<String, String> env) {
    cert = cert != null ? cert : path(env, "HG_TLS_CERT");
    key = key != null ? key : path(env, "HG_TLS_KEY");
    ca = ca != null ? ca : path(env, "HG_TLS_CA");
    boolean require =
        requireClientCert
            || io.hybridgrid.common.config.EnvFlags.isSet(env, "HG_TLS_REQUIRE_CLIENT_CERT");
    if (cert == null && key == null && ca == null && !require) {
      return null;
    }
    return new TlsSettings(cert, key, ca, require);
  }

  private static Path path(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : Path.of(v);
  }

  /** The server side: needs a certificate and key. */
  public SslContext serverContext() throws IOException {
    if (cert == null) {
      throw new IllegalArgumentException("a TLS server needs --tls-cert and --tls-key");
    }
    TokenStore.checkPrivate(key, "--tls-key");
    SslContextBuilder b = GrpcSslContexts.forServer(cert.toFile(), key.toFile());
    if (ca != null) {
      b.trustManager(ca.toFile());
      b.clientAuth(requireClientCert ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
    }
    return build(b);
  }

  /** The client side: checks the server against {@code ca}; presents the certificate if any. */
  public SslContext clientContext() throws IOException {
    SslContextBuilder b = GrpcSslContexts.forClient();
    if (ca != null) {
      b.trustManager(ca.toFile());
    }
    if (cert != null) {
      TokenStore.checkPrivate(key, "--tls-key");
      b.keyManager(cert.toFile(), key.toFile());
    }
    return build(b);
  }

  private static SslContext build(SslContextBuilder b) throws SSLException {
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage(), e);
    }
  }
}
