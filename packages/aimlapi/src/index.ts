/**
 * Filled by its own issue.
 * @since 0.1.0
 */
export {}
