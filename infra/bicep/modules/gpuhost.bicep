// The GPU host (`padellm serve`) in a Container Apps environment with a serverless GPU
// workload profile: internal ingress only (the function app calls it), scale to zero. The image is
// src/GpuHost/Dockerfile built with BASE=cuda: on a GPU profile it serves with `--backend gpu`
// (the ILGPU kernels on the profile's NVIDIA GPU); on the Consumption profile, with the CPU engine.
param location string
param name string
param image string
param workloadProfileType string
param maxReplicas int
param logAnalyticsWorkspaceId string
param identityId string
param subnetId string
param vnetId string

@description('Registry server of the image (e.g. myregistry.azurecr.io), pulled with the identity; empty for a public image.')
param registryServer string = ''

var profileName = workloadProfileType == 'Consumption' ? 'Consumption' : 'gpu'

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${name}-env'
  location: location
  properties: {
    vnetConfiguration: {
      infrastructureSubnetId: subnetId
      internal: true
    }
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: reference(logAnalyticsWorkspaceId, '2023-09-01').customerId
        sharedKey: listKeys(logAnalyticsWorkspaceId, '2023-09-01').primarySharedKey
      }
    }
    workloadProfiles: workloadProfileType == 'Consumption' ? [
      { name: 'Consumption', workloadProfileType: 'Consumption' }
    ] : [
      { name: 'Consumption', workloadProfileType: 'Consumption' }
      { name: profileName, workloadProfileType: workloadProfileType }
    ]
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: name
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: profileName
    configuration: {
      ingress: {
        external: false
        targetPort: 8080
        transport: 'http'
      }
      registries: empty(registryServer) ? [] : [ { server: registryServer, identity: identityId } ]
    }
    template: {
      containers: [
        {
          name: 'gpuhost'
          image: image
          args: [ 'serve', '--urls', 'http://0.0.0.0:8080', '--backend', profileName == 'gpu' ? 'gpu' : 'cpu' ]
          resources: workloadProfileType == 'Consumption' ? { cpu: json('2.0'), memory: '4Gi' } : { cpu: json('8.0'), memory: '56Gi' }
          probes: [
            { type: 'Liveness', httpGet: { path: '/healthz', port: 8080 } }
            { type: 'Readiness', httpGet: { path: '/readyz', port: 8080 } }
          ]
        }
      ]
      scale: {
        minReplicas: 0
        maxReplicas: maxReplicas
        rules: [
          { name: 'http', http: { metadata: { concurrentRequests: '64' } } }
        ]
      }
    }
  }
}

module dns 'privatedns.bicep' = {
  name: '${name}-dns'
  params: {
    domain: environment.properties.defaultDomain
    staticIp: environment.properties.staticIp
    vnetId: vnetId
  }
}

output url string = 'https://${app.properties.configuration.ingress.fqdn}'
