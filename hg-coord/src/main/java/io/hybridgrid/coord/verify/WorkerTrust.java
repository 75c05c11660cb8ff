package io.hybridgrid.coord.verify;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The trust of each worker id, as its last accepted registration earned it. An unknown id is
 * untrusted. Bounded: beyond {@link #CAPACITY} ids the table is cleared (ids then read as untrusted
 * until they register again, the safe direction).
 */
public final class WorkerTrust {
  static final int CAPACITY = 100_000;

  private final Map<String, Trust> byId = new ConcurrentHashMap<>();

  /** Worker {@code id} registered with {@code trust}. */
  public void registered(String id, Trust trust) {
    if (byId.size() >= CAPACITY && !byId.containsKey(id)) {
      byId.clear();
    }
    byId.put(id, trust);
  }

  public Trust of(String id) {
    return byId.getOrDefault(id, Trust.UNTRUSTED);
  }
}
