package io.hybridgrid.common.tls;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The TLS flags every program takes ({@code hg-coord serve}, {@code hg-worker serve}, {@code
 * hgbuild}), each with an environment variable of the same meaning.
 */
public final class TlsOptions {
  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "This program's certificate chain (env HG_TLS_CERT).")
  Path cert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "Its private key, PKCS#8, mode 0600 (env HG_TLS_KEY).")
  Path key;

  @Option(
      names = "--tls-ca",
      paramLabel = "PEM",
      description = "The CA that signs the peer's certificate (env HG_TLS_CA).")
  Path ca;

  @Option(
      names = "--tls-require-client-cert",
      description =
          "hg-coord: refuse clients without a certificate signed by --tls-ca (mTLS;"
              + " env HG_TLS_REQUIRE_CLIENT_CERT=1).")
  boolean requireClientCert;

  /** The settings from the flags and {@code env}; null when TLS is off. */
  public TlsSettings settings(Map<String, String> env) {
    return TlsSettings.from(cert, key, ca, requireClientCert, env);
  }
}
