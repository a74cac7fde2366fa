/// The version `wooshhook --version` prints.
public enum WooshhookVersion {
    public static let current = "0.1.0"
}
