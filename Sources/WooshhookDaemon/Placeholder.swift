// WooshhookDaemon module: see Package.swift
