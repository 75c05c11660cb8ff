package io.hybridgrid.common.auth;

import io.hybridgrid.common.grpc.ClientSecurity;
import io.hybridgrid.common.tls.TlsOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How hg-worker and hgbuild authenticate to hg-coord: a token and TLS. */
public final class ClientAuthOptions {
  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "File holding the token for hg-coord, mode 0600 (else env HG_TOKEN).")
  Path tokenFile;

  @Mixin TlsOptions tls = new TlsOptions();

  /** The token and TLS settings from the flags and {@code env}. */
  public ClientSecurity security(Map<String, String> env) throws IOException {
    return new ClientSecurity(BearerToken.resolve(tokenFile, env), tls.settings(env));
  }
}
