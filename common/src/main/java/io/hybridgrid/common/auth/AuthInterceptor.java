package io.hybridgrid.common.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authenticates every call of a server and checks it against {@link MethodAccess}: a bearer token
 * ({@code authorization: Bearer TOKEN}) names the caller and its role; a verified client
 * certificate (mTLS) names it too. Without a token store every caller may do everything (the
 * coordinator then listens on loopback only, or was told {@code --insecure}). The caller's {@link
 * Identity} is in {@link #IDENTITY} for the service.
 */
public final class AuthInterceptor implements ServerInterceptor {
  /** The authenticated caller of the current call. */
  public static final Context.Key<Identity> IDENTITY = Context.key("hybridgrid-identity");

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TokenStore tokens;

  /**
   * @param tokens the accepted tokens, or null to let everyone do everything
   */
  public AuthInterceptor(TokenStore tokens) {
    this.tokens = tokens;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<String> certName =
        certificateName(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    Identity identity;
    if (tokens == null) {
      identity =
          certName
              .map(n -> new Identity(n, Identity.open().roles(), true))
              .orElseGet(Identity::open);
    } else if (MethodAccess.isPublic(method)) {
      identity = new Identity("anonymous", java.util.Set.of(), false);
    } else {
      String header = headers.get(AUTHORIZATION);
      if (header == null) {
        return refuse(
            call,
            Status.UNAUTHENTICATED.withDescription(
                "this coordinator requires a token: set HG_TOKEN or pass --token-file FILE"));
      }
      if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return refuse(
            call,
            Status.UNAUTHENTICATED.withDescription(
                "the authorization header must be 'Bearer TOKEN'"));
      }
      Optional<Identity> found = tokens.authenticate(header.substring(7).strip());
      if (found.isEmpty()) {
        return refuse(
            call,
            Status.UNAUTHENTICATED.withDescription(
                "the coordinator does not accept this token (check HG_TOKEN or --token-file)"));
      }
      identity = found.get();
    }
    Optional<String> denial = MethodAccess.denial(method, identity);
    if (denial.isPresent()) {
      Status status =
          identity.authenticated() || tokens == null
              ? Status.PERMISSION_DENIED
              : Status.UNAUTHENTICATED;
      return refuse(call, status.withDescription(denial.get()));
    }
    Context ctx = Context.current().withValue(IDENTITY, identity);
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> refuse(
      ServerCall<ReqT, RespT> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** The CN of a verified client certificate, if the call came over mTLS. */
  static Optional<String> certificateName(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate x)) {
        return Optional.empty();
      }
      for (Rdn rdn : new LdapName(x.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdn.getValue().toString());
        }
      }
      return Optional.empty();
    } catch (SSLPeerUnverifiedException | InvalidNameException e) {
      return Optional.empty();
    }
  }
}
