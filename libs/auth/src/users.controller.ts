import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from './audited.decorator';
import { RequirePermission } from './auth.decorators';
import { CreateUserDto, UserView } from './dto/create-user.dto';
import { ResetPasswordDto, UpdateUserDto } from './dto/update-user.dto';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('api/users')
@RequirePermission('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Audited('user-security-attributes-changed', 'C')
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserView, description: 'User created' })
  @ApiBadRequestResponse({ description: 'Invalid username, password or role' })
  @ApiConflictResponse({ description: 'A user with this username exists' })
  async create(@Body() body: CreateUserDto): Promise<UserView> {
    return toView(await this.users.createUser(body.username, body.password, body.roles));
  }

  @Get()
  @ApiOperation({ summary: 'List users' })
  @ApiOkResponse({ type: UserView, isArray: true })
  async list(): Promise<UserView[]> {
    return (await this.users.listUsers()).map(toView);
  }

  @Get(':username')
  @ApiOperation({ summary: 'One user' })
  @ApiParam({ name: 'username', example: 'ris-gateway' })
  @ApiOkResponse({ type: UserView })
  @ApiNotFoundResponse({ description: 'No such user' })
  async get(@Param('username') username: string): Promise<UserView> {
    return toView(await this.users.getUser(username));
  }

  @Patch(':username')
  @Audited('user-security-attributes-changed', 'U')
  @ApiOperation({ summary: 'Change roles and/or disable or enable a user', description: 'A disabled user cannot log in, and its tokens already issued are refused.' })
  @ApiParam({ name: 'username', example: 'ris-gateway' })
  @ApiOkResponse({ type: UserView })
  @ApiBadRequestResponse({ description: 'Invalid roles' })
  @ApiNotFoundResponse({ description: 'No such user' })
  async update(@Param('username') username: string, @Body() body: UpdateUserDto): Promise<UserView> {
    if (body.roles !== undefined) await this.users.setRoles(username, body.roles);
    if (body.disabled !== undefined) await this.users.setDisabled(username, body.disabled);
    return toView(await this.users.getUser(username));
  }

  @Post(':username/password')
  @Audited('user-security-attributes-changed', 'U')
  @HttpCode(204)
  @ApiOperation({ summary: 'Reset the password of a user' })
  @ApiParam({ name: 'username', example: 'ris-gateway' })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiBadRequestResponse({ description: 'Password too short or too long' })
  @ApiNotFoundResponse({ description: 'No such user' })
  async resetPassword(@Param('username') username: string, @Body() body: ResetPasswordDto): Promise<void> {
    await this.users.resetPassword(username, body.password);
  }
}

function toView(user: UserEntity): UserView {
  return { username: user.username, roles: user.roles, disabled: user.disabled };
}
