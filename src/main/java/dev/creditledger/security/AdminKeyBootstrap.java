package dev.creditledger.security;

import dev.creditledger.catalog.CreditsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Makes sure an admin can get in, and that nothing is ever open by default: a configured
 * bootstrap key is added as an admin key; with none configured and no key at all, the first start
 * creates an admin key, prints it once and writes it to {@code <data-dir>/admin-key}, readable by
 * its owner only (as self-hosted tools do with an initial admin password).
 */
public final class AdminKeyBootstrap {

    public static final String KEY_FILE = "admin-key";
    private static final Logger LOG = Logger.getLogger(AdminKeyBootstrap.class);
    private static final Pattern ACCEPTABLE = Pattern.compile("[\\x21-\\x7E]{32,200}");

    private AdminKeyBootstrap() {
    }

    public static void ensure(DataSource dataSource, CreditsConfig config, Instant now) {
        ensure(dataSource, configuredKey(config), config.database().dataDir(), now);
    }

    /**
     * The first admin key is made in one transaction with its file: when the file cannot be written
     * (a read-only filesystem, say), no key is stored and the start fails saying so, rather than
     * leaving an admin key nobody has. Instances starting together on an empty database take turns
     * (an advisory lock), so only one makes it.
     */
    static void ensure(DataSource dataSource, Optional<String> configured, Path dataDir, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            if (configured.isPresent()) {
                insert(c, configured.get(), "bootstrap", now);
                return;
            }
            c.setAutoCommit(false);
            Path written = null;
            try {
                lockFirstKey(c);
                if (!anyKey(c)) {
                    String key = ApiKeys.newKey();
                    insert(c, key, "first admin key", now);
                    Path file = writeKeyFile(dataDir, key);
                    written = file;
                    c.commit();
                    LOG.warnf("Created the first admin API key, shown once here and kept in %s (owner-only): %s%n"
                            + "Create the keys your apps use with POST /v1/keys, then keep this one safe or revoke it.", file, key);
                } else {
                    c.commit();
                }
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                if (written != null) {
                    // The commit failed after the file was written: no key file for a key not stored.
                    try {
                        Files.deleteIfExists(written);
                    } catch (IOException delete) {
                        e.addSuppressed(delete);
                    }
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // a broken connection: the pool discards it
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up the bootstrap admin key", e);
        }
    }

    /** Held until the transaction ends: one instance at a time decides whether to make the first key. */
    private static void lockFirstKey(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(hashtext('credit-ledger first admin key'))");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    private static Optional<String> configuredKey(CreditsConfig config) {
        Optional<String> key = config.bootstrapAdminKey().map(String::trim).filter(k -> !k.isEmpty());
        if (key.isEmpty() && config.bootstrapAdminKeyFile().isPresent()) {
            Path file = config.bootstrapAdminKeyFile().get();
            try {
                key = Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read credits.bootstrap-admin-key-file " + file, e);
            }
        }
        key.ifPresent(k -> {
            if (!ACCEPTABLE.matcher(k).matches()) {
                throw new IllegalStateException("the bootstrap admin key must be 32 to 200 printable characters without spaces");
            }
        });
        return key;
    }

    private static boolean anyKey(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select exists (select 1 from api_key)"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void insert(Connection c, String key, String name, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into api_key (prefix, key_hash, name, scopes, created_at) "
                + "values (?, ?, ?, array['admin']::varchar(16)[], ?) on conflict (key_hash) do nothing")) {
            ps.setString(1, ApiKeys.visiblePrefix(key));
            ps.setString(2, ApiKeys.hash(key));
            ps.setString(3, name);
            ps.setTimestamp(4, Timestamp.from(now));
            ps.executeUpdate();
        }
    }

    private static Path writeKeyFile(Path dataDir, String key) {
        try {
            Files.createDirectories(dataDir);
            Path file = dataDir.resolve(KEY_FILE).toAbsolutePath().normalize();
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, key + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the first admin key into " + dataDir + " (so none was made): make it "
                    + "writable, or give the service its admin key with CREDITS_BOOTSTRAP_ADMIN_KEY or CREDITS_BOOTSTRAP_ADMIN_KEY_FILE", e);
        }
    }
}
