// WooshhookTesting module: see Package.swift
