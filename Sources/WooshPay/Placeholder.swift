// WooshPay module: see Package.swift
