extension ConfigurationLoader {
    /// `rejections.max_bytes` and `status.listen.host`/`status.listen.port`. The status listener is off without a
    /// `status` key, and may never share the webhook port: the status page is for operators, never for WooshPay.
    static func readStatusAndRejections(
        _ reader: inout ObjectReader, into configuration: inout Configuration
    ) throws(ConfigurationError) {
        if var rejections = try reader.object("rejections") {
            // Two files of at least 8 KiB each: room for the longest line with space to spare.
            if let value = try rejections.integer("max_bytes", in: 16_384...(1 << 40)) {
                configuration.rejections.maxBytes = value
            }
            try rejections.rejectUnknownKeys()
        }
        guard var status = try reader.object("status") else { return }
        var settings = Configuration.StatusSettings()
        if var listen = try status.object("listen") {
            (settings.host, settings.port) = try readListen(&listen, host: settings.host, port: settings.port)
        }
        try status.rejectUnknownKeys()
        if settings.port != 0 && settings.port == configuration.listenPort {
            throw ConfigurationError(
                "status.listen.port",
                "\(settings.port) is the webhook port (listen.port); the status page needs a port of its own")
        }
        configuration.status = settings
    }
}
