package dev.creditledger.db;

/**
 * Fired once at start, when the schema is migrated and the admin key ensured: from then on the
 * database can be used. Work that starts on its own (the scheduled jobs) waits for it; requests
 * cannot come earlier, as the HTTP server opens after the start-up.
 */
public record SchemaReady() {
}
