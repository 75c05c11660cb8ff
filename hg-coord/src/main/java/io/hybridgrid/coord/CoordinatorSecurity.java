package io.hybridgrid.coord;

import io.hybridgrid.common.auth.TokenStore;
import io.hybridgrid.common.tls.TlsSettings;
import io.hybridgrid.coord.verify.VerifySettings;
import java.util.Objects;

/**
 * Who may reach the coordinator and how: the tokens it accepts (null: everyone may do everything,
 * which {@code hg-coord serve} allows only on loopback or with {@code --insecure}), and its TLS.
 *
 * @param tokens accepted tokens, or null for none
 * @param tls TLS settings, or null for plain text
 * @param requestBudgetBytes how many bytes of compile requests may be in memory at once
 * @param verify how worker results are verified before the shared cache serves them
 */
public record CoordinatorSecurity(
    TokenStore tokens, TlsSettings tls, long requestBudgetBytes, VerifySettings verify) {
  /** 512 MiB of requests in flight: eight of the largest messages, far below a 2 GiB heap. */
  public static final long DEFAULT_REQUEST_BUDGET = 512L * 1024 * 1024;

  public CoordinatorSecurity {
    if (requestBudgetBytes <= 0) {
      throw new IllegalArgumentException("request budget must be positive");
    }
    Objects.requireNonNull(verify, "verify");
  }

  /** With the default verification settings. */
  public CoordinatorSecurity(TokenStore tokens, TlsSettings tls, long requestBudgetBytes) {
    this(tokens, tls, requestBudgetBytes, VerifySettings.defaults());
  }

  /** No tokens, no TLS: in-process tests and loopback use. */
  public static CoordinatorSecurity open() {
    return new CoordinatorSecurity(null, null, DEFAULT_REQUEST_BUDGET);
  }
}
