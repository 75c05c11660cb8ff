package io.hybridgrid.common.auth;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/** Sends {@code authorization: Bearer TOKEN} on every call of a channel. */
public final class BearerToken implements ClientInterceptor {
  private final String token;

  public BearerToken(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("empty token");
    }
    this.token = token.strip();
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(
        next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> responseListener, Metadata headers) {
        headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
        super.start(responseListener, headers);
      }
    };
  }

  /**
   * The token a client or worker presents: the first non-blank line of {@code --token-file} (else
   * of {@code HG_TOKEN_FILE}; the file must be private, like the coordinator's), else {@code
   * HG_TOKEN}, else none.
   *
   * @param tokenFile {@code --token-file}, or null
   * @param env the environment
   * @return the token, or null for none
   */
  public static String resolve(java.nio.file.Path tokenFile, java.util.Map<String, String> env)
      throws java.io.IOException {
    if (tokenFile == null
        && env.get("HG_TOKEN_FILE") != null
        && !env.get("HG_TOKEN_FILE").isBlank()) {
      tokenFile = java.nio.file.Path.of(env.get("HG_TOKEN_FILE"));
    }
    if (tokenFile != null) {
      TokenStore.checkPrivate(tokenFile, "--token-file");
      for (String line : java.nio.file.Files.readAllLines(tokenFile)) {
        if (!line.isBlank() && !line.strip().startsWith("#")) {
          return line.strip();
        }
      }
      throw new IllegalArgumentException("--token-file " + tokenFile + " holds no token");
    }
    String t = env.get("HG_TOKEN");
    return t == null || t.isBlank() ? null : t.strip();
  }
}
