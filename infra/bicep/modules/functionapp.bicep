// The function app: Linux, the .NET isolated worker on .NET 10 (dotnet-isolated), the
// identity-based AzureWebJobsStorage connection (Durable's task hub, triggers) and the GPU
// host's internal URL. Flex Consumption (FC1) by default; Elastic Premium as a parameter. Note:
// Elastic Premium also wants a content file share (WEBSITE_CONTENTAZUREFILECONNECTIONSTRING), which
// needs shared-key access on the storage account; storage.bicep disables shared keys, so an EP
// deployment must enable them and add that setting (Flex Consumption needs neither).
param location string
param name string
param planSku string
param storageAccountName string
param deploymentContainerUrl string
param identityId string
param identityClientId string
param appInsightsConnectionString string
param gpuHostUrl string
param labels string
param subnetId string

var flex = planSku == 'FC1'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan'
  location: location
  kind: flex ? 'functionapp' : 'elastic'
  sku: flex ? { name: 'FC1', tier: 'FlexConsumption' } : { name: planSku, tier: 'ElasticPremium' }
  properties: {
    reserved: true
  }
}

var settings = [
  { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
  { name: 'PADELLM_GPU_HOST_URL', value: gpuHostUrl }
  { name: 'PADELLM_LABELS', value: labels }
]

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: subnetId
    vnetRouteAllEnabled: true
    functionAppConfig: flex ? {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
      scaleAndConcurrency: {
        maximumInstanceCount: 40
        instanceMemoryMB: 2048
      }
    } : null
    siteConfig: {
      // Flex sets the runtime in functionAppConfig above; Elastic Premium names the stack here.
      linuxFxVersion: flex ? null : 'DOTNET-ISOLATED|10.0'
      minTlsVersion: '1.2'
      appSettings: flex ? settings : concat(settings, [
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
      ])
    }
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
